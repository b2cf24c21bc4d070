"""The benchmarks, in one place: each measures one door of the application against the fastest it
could be (its floor) on synthetic records, and prints JSON lines.

- ``data``: the one synthetic-data builder (``Filler``): reference data, year plans, key
  projects with their listings, milestones and monthly progress, special-bond reserves,
  attraction projects and industrial chains, at any scale, named ``BENCH-`` so that they can
  be told from real records and deleted alone.
- ``timing``: what every benchmark measures with: the DEBUG guard, interleaved medians,
  ratios, peak resident size, the progress bar and the JSON lines.
- ``quotas``, ``imports``, ``exports``: the quota report, the ledger import and the quarterly
  export, run by the commands ``bench_quotas``, ``bench_import`` and ``bench_export``
  (``investment/management/commands/``), which only declare their options and call these.

A new benchmark (a page, say) adds a module here and a thin command beside the others, and
takes its records from ``data.Filler``.
"""
