"""nai serve: the archive in a browser, through Datasette (nai's optional `web` extra).

  app.py      the Datasette instance: the archive read-only (SQLite mode=ro) as `archive`,
              metadata, serving on the bound sockets
  listen.py   the sockets, bound before anything is announced, and the URLs to print
  plugin.py   nai's Datasette plugin: the SQL functions of the search page, the article page's
              data, the month facet, the snippet marks in HTML, suggestions when nothing matches
  chart.py    the article page's read-count chart (SVG)
  templates/  the search page and the article page; static/nai.css their style

Nothing here is loaded unless `nai serve` runs: Datasette is imported by app.py and plugin.py alone.
"""
