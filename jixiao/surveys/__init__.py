"""Satisfaction surveys (服务对象满意度调查): questionnaires, a public phone form, results.

Each answer writes one record of the preset ``survey`` ledger, so the satisfaction indicator's
actual (满意份数 / 有效问卷数) is counted by the metrics engine like any other (docs/surveys.md).
"""
