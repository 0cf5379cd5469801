"""nai serve: the archive in a browser, through Datasette (the optional extra `nai[web]`).

  app.py      the Datasette instance: the archive read-only as `archive`, metadata, serving
  plugin.py   nai's Datasette plugin: the SQL functions of the search page, the article page's
              data, the month facet, the snippet marks in HTML
  templates/  the search page and the article page; static/nai.css their style

Nothing here is loaded unless `nai serve` runs: Datasette is imported by these modules alone.
"""
