"""資訊傳報: the exchange of training records with county and partner systems (DESIGN.md
§10): the partners and their credentials (partners.py), their OAuth 2 tokens (oauth.py),
the published field format (format.py) and the import of a batch of records (importer.py).
"""
