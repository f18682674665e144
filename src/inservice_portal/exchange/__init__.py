"""資訊傳報: the exchange of training records with county and partner systems (DESIGN.md
§10). Partners and their credentials (partners.py), their OAuth 2 tokens (oauth.py); the
published field format (format.py) and files read into its rows (files.py); a batch's
import (importer.py), its report as Excel (workbooks.py) and the partner's callback
(callbacks.py); the change feed partners read back (feed.py); the monthly confirmation
(confirmation.py); imported records over the hours caps (review.py) and repeated across
sources (duplicates.py); teachers who move county (moves.py); teacher sync (teacher_sync.py);
傳報現況 (status.py). Long work runs as jobs (jobs/).
"""
