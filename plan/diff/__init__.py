"""``bin/plan --against``: what a change does to a stage, resource by resource, with what it costs.

:mod:`plan.diff.compare` matches the two plans and :mod:`plan.diff.render` shows the result; the rest are their
parts (the model, logical identities, changed values, flags).
"""

from plan.diff.compare import diff_plans
from plan.diff.model import ADOPT, CREATE, DELETE, PROTECTED, REPLACE, SECRET_CHANGED, UPDATE, Change, PlanDiff

__all__ = [
    "ADOPT",
    "CREATE",
    "DELETE",
    "PROTECTED",
    "REPLACE",
    "SECRET_CHANGED",
    "UPDATE",
    "Change",
    "PlanDiff",
    "diff_plans",
]
