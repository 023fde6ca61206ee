"""Django's PostgreSQL backend as pnyx runs it (``base``): values bound by the server, so that what runs
often is prepared, and sent in the query's text where there are more than the protocol carries."""
