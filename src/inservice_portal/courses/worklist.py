"""研習課程資料確認: a region centre's courses in some states, for the reviewer's worklist (page
and API), narrowed by stage, organiser or review flag."""
from ..catalog import Search


def centre_courses(centre, states, stage=None, organiser=None, flag=None):
    """The courses of ``centre`` in ``states``, unsorted (the caller sorts or counts)."""
    search = Search(centre.__parent__.__parent__)
    query = search["content_type"].eq("course") & search["centre"].eq(centre.code)
    query &= search["state"].any(list(states))
    if stage:
        query &= search["stage"].eq(stage)
    if organiser:
        query &= search["organiser"].eq(organiser)
    if flag:
        query &= search["flags"].any([flag])
    return search.execute(query)
