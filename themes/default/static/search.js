// Search UI: written with the search index (issue 9).
