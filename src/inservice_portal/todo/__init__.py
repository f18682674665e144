"""待辦事項: what waits on a staff member's unit, counted, the landing page of every staff role
(issue 16). Read-only: it gathers what the services of the other features already answer."""
from .tasks import Task, centre_tasks, last_return, national_rows, organiser_tasks  # noqa: F401
