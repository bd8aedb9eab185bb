"""Importing a register of operations from CSV or XLSX (the columns of ``jco/data/public-jcos.csv``).

``reading`` turns a file into rows, ``parsing`` reads one row (pure: no database, no Flask),
``services`` plans the import against the database (the dry run) and applies it, ``views`` and
``cli`` are the two ways in: the ``/import`` page and ``flask --app jco import FILE``.
"""
