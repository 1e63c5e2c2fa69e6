"""Demo content of the open city: proposals, and a participatory budget open to the vote."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from parvis import participation
from parvis.kernel.auth import User
from parvis.kernel.context import Context
from parvis.participation.budgets import actions as budgets
from parvis.participation.budgets.models import Edition, Phase
from parvis.participation.budgets.queries import envelopes_of
from parvis.participation.budgets.schemas import (
    BudgetProjectCreate,
    EditionCreate,
    FeasibilityReview,
)
from parvis.participation.proposals import actions as proposals
from parvis.participation.proposals.models import Proposal
from parvis.participation.proposals.schemas import ProposalCreate

PROPOSALS: list[dict[str, Any]] = [
    {
        "title": "Des bancs et de l’ombre rue de Charonne",
        "description": "La montée est longue pour les personnes âgées : des bancs tous les cent "
        "mètres et quelques arbres rendraient la rue plus agréable en été.",
        "category": "living",
        "arrondissement": 11,
        "location": {"type": "Point", "coordinates": [2.3806, 48.8535]},
    },
    {
        "title": "Un atelier de réparation de vélos à la Goutte d’Or",
        "description": "Un local associatif où apprendre à réparer son vélo, avec des outils en "
        "libre-service et des bénévoles le samedi.",
        "category": "mobility",
        "arrondissement": 18,
        "location": {"type": "Point", "coordinates": [2.3545, 48.8850]},
    },
    {
        "title": "Des fontaines à eau pétillante dans tous les parcs",
        "description": "Les fontaines pétillantes ont du succès : en installer une dans chaque "
        "grand parc éviterait des milliers de bouteilles en plastique.",
        "category": "environment",
        "arrondissement": None,
        "location": None,
    },
    {
        "title": "Capteurs de bruit autour des bars de la rue de Lappe",
        "description": "Mesurer le bruit la nuit et publier les données, pour discuter "
        "sereinement entre riverains et établissements.",
        "category": "digital",
        "arrondissement": 11,
        "location": {"type": "Point", "coordinates": [2.3722, 48.8532]},
    },
]

EDITION = {
    "year": 2026,
    "title": "Budget participatif 2026",
    "ballot_kind": "approval",
    "min_choices": 1,
    "max_choices": 4,
    "rule": "greedy",
    "description": "Votez pour les projets de tout Paris et de votre arrondissement. "
    "Chaque projet a été étudié par les services de la Ville.",
    "envelopes": [
        {"kind": "city", "name": "Tout Paris", "budget_eur": 20_000_000},
        {
            "kind": "arrondissement",
            "arrondissement": 11,
            "name": "Paris 11e",
            "budget_eur": 2_500_000,
        },
        {
            "kind": "arrondissement",
            "arrondissement": 18,
            "name": "Paris 18e",
            "budget_eur": 3_000_000,
        },
    ],
}
BUDGET_PROJECTS = [  # envelope (0: city), title, summary, cost, feasibility reason if not feasible
    (
        0,
        "Des toilettes publiques accessibles dans tous les parcs",
        "Des sanisettes PMR.",
        6_000_000,
        None,
    ),
    (
        0,
        "Un grand plan de fontaines rafraîchissantes",
        "Brumisateurs et fontaines.",
        4_500_000,
        None,
    ),
    (0, "Des pistes cyclables sur tous les ponts", "Traverser la Seine à vélo.", 12_000_000, None),
    (
        0,
        "Un téléphérique de Belleville à Montmartre",
        "Relier deux collines.",
        None,
        "Le survol des habitations n’est pas autorisé par le plan local d’urbanisme.",
    ),
    (11, "Végétaliser la cour de l’école Keller", "Une cour Oasis.", 900_000, None),
    (11, "Un jardin partagé square Maurice-Gardette", "Des bacs pour les voisins.", 150_000, None),
    (18, "Rénover le terrain de sport de la Goutte d’Or", "Un terrain pour tous.", 1_200_000, None),
    (18, "Éclairer l’escalier de la rue Foyatier", "Un éclairage économe.", 350_000, None),
]


def load_participation(ctx: Context, db: Session, people: dict[str, User], staff: User) -> int:
    residents = [u for u in people.values() if u.role == "resident"]
    if db.scalar(select(Proposal.id).limit(1)) is None:
        for n, spec in enumerate(PROPOSALS):
            proposal = proposals.submit_proposal(
                db, residents[n % len(residents)], ProposalCreate.model_validate(spec)
            )
            for resident in residents[: n % 3]:
                participation.support(db, resident, proposals.TARGET, proposal.id)
    if db.scalar(select(Edition.id).where(Edition.year == EDITION["year"])) is not None:
        return 0
    edition = budgets.create_edition(db, EditionCreate.model_validate(EDITION))
    envelopes = {e.arrondissement or 0: e.id for e in envelopes_of(db, edition.id)}
    budgets.change_phase(ctx, db, edition.id, Phase.CO_CONSTRUCTION)
    for envelope, title, summary, cost, refusal in BUDGET_PROJECTS:
        project = budgets.add_project(
            db, BudgetProjectCreate(envelope_id=envelopes[envelope], title=title, summary=summary)
        )
        review = (
            FeasibilityReview(feasibility="infeasible", reason=refusal)
            if refusal
            else FeasibilityReview(feasibility="feasible", cost_eur=cost)
        )
        budgets.review_feasibility(db, project.id, review)
    budgets.change_phase(ctx, db, edition.id, Phase.FEASIBILITY)
    budgets.change_phase(ctx, db, edition.id, Phase.VOTE)
    return len(BUDGET_PROJECTS)
