from parvis.kernel.i18n import lazy
from parvis.participation.budgets.models import BallotKind, Feasibility, Phase

PHASE_LABELS = {
    Phase.SUBMISSION: lazy("Submission of projects"),
    Phase.CO_CONSTRUCTION: lazy("Co-construction"),
    Phase.FEASIBILITY: lazy("Feasibility review"),
    Phase.VOTE: lazy("Vote"),
    Phase.RESULTS: lazy("Results"),
    Phase.IMPLEMENTATION: lazy("Implementation"),
}
BALLOT_LABELS = {
    BallotKind.APPROVAL: lazy("Approval: tick the projects you want"),
    BallotKind.KNAPSACK: lazy("Budget: choose projects within the envelope"),
    BallotKind.CUMULATIVE: lazy("Points: share your points between projects"),
    BallotKind.MAJORITY_JUDGMENT: lazy("Majority judgment: give each project a mention"),
}
FEASIBILITY_LABELS = {
    Feasibility.PENDING: lazy("Under review"),
    Feasibility.FEASIBLE: lazy("Feasible"),
    Feasibility.INFEASIBLE: lazy("Not feasible"),
}
GRADES = [lazy("Not convinced"), lazy("Why not"), lazy("I like it"), lazy("I love it")]
