"""A dozen realistic Paris projects across the three pillars (demo content, in French)."""

from __future__ import annotations

from typing import Any

P: list[dict[str, Any]] = [
    {
        "title": "Étendre Paris Wi-Fi à la Goutte d'Or",
        "summary": "Couvrir les rues et squares de la Goutte d'Or en Wi-Fi public gratuit, "
        "et en faire le réseau des capteurs du quartier.",
        "description": "Le quartier compte peu de sites Paris Wi-Fi en extérieur. Le projet "
        "installe des bornes sur le mobilier urbain existant (feux, kiosques, sanisettes).\n\n"
        "## Déroulé\n- relevé de couverture\n- choix des emplacements avec les habitants\n"
        "- pose et mesure",
        "department": "Direction des Systèmes d'Information et du Numérique",
        "arrondissements": [18],
        "budget_eur": 420_000,
        "residents_reached": 22_000,
        "point": [2.3530, 48.8856],
        "status": "design",
        "objectives": [
            (
                "social",
                "Part de la population du quartier à moins de 100 m d'un site Wi-Fi",
                "%",
                9,
                60,
                "2027-12-31",
                [9, 14],
            ),
            ("economic", "Coût par habitant couvert", "€", 40, 19, "2027-12-31", []),
        ],
        "journal": [
            (
                "Balade de repérage",
                "Une trentaine d'habitants ont proposé des "
                "emplacements lors d'une balade de repérage.",
            )
        ],
    },
    {
        "title": "Capteurs de qualité de l'air devant les écoles",
        "summary": "Mesurer le dioxyde d'azote devant 40 écoles et rendre les données "
        "publiques, pour décider des rues aux écoles avec les parents.",
        "description": "Des micro-capteurs, reliés au Wi-Fi municipal, mesurent le NO₂ et "
        "les particules fines aux heures d'entrée et de sortie des classes. Les données "
        "sont publiées en open data (licence ODbL).",
        "department": "Direction de la Transition écologique et du Climat",
        "arrondissements": [11, 20],
        "budget_eur": 260_000,
        "residents_reached": None,
        "point": [2.3790, 48.8590],
        "status": "experimentation",
        "objectives": [
            (
                "ecological",
                "Concentration moyenne de NO₂ aux entrées d'école",
                "µg/m³",
                38,
                30,
                "2028-06-30",
                [38, 36.5, 35.2],
            ),
            ("social", "Écoles équipées de capteurs", "écoles", 0, 40, "2027-06-30", [12, 25]),
        ],
        "journal": [
            (
                "Premières mesures publiées",
                "Les 25 premiers capteurs publient leurs mesures toutes les 15 minutes.",
            ),
            (
                "Réunion avec les parents d'élèves",
                "Compte rendu de la réunion du conseil de quartier.",
            ),
        ],
    },
    {
        "title": "Rue végétalisée du Faubourg-Saint-Denis",
        "summary": "Planter des arbres et désimperméabiliser les trottoirs pour rafraîchir "
        "la rue pendant les vagues de chaleur.",
        "description": "Le projet remplace 1 200 m² d'enrobé par des fosses de plantation "
        "continues et installe des sondes de température.",
        "department": "Direction des Espaces verts et de l'Environnement",
        "arrondissements": [10],
        "budget_eur": 1_150_000,
        "residents_reached": 9_000,
        "point": [2.3550, 48.8730],
        "status": "deployment",
        "objectives": [
            ("ecological", "Surface désimperméabilisée", "m²", 0, 1200, "2027-09-30", [300, 750]),
            ("ecological", "Écart de température de surface en été", "°C", 0, -3, "2028-09-30", []),
        ],
        "journal": [("Début des travaux", "Les travaux commencent côté boulevard.")],
    },
    {
        "title": "Piste cyclable de l'avenue de Flandre",
        "summary": "Une piste bidirectionnelle protégée entre Stalingrad et la Porte de la "
        "Villette.",
        "description": "Des compteurs vélo mesurent la fréquentation avant et après.",
        "department": "Direction de la Voirie et des Déplacements",
        "arrondissements": [19],
        "budget_eur": 3_200_000,
        "residents_reached": 60_000,
        "point": [2.3760, 48.8900],
        "status": "evaluation",
        "objectives": [
            (
                "ecological",
                "Passages de vélos par jour ouvré",
                "vélos/jour",
                1800,
                6000,
                "2027-12-31",
                [2600, 4100, 5200],
            ),
            (
                "social",
                "Accidents impliquant un cycliste par an",
                "accidents",
                24,
                10,
                "2028-12-31",
                [17],
            ),
        ],
        "journal": [("Ouverture de la piste", "La piste est ouverte sur toute sa longueur.")],
    },
    {
        "title": "Rues aux écoles dans le 14e",
        "summary": "Piétonniser les rues devant six écoles aux heures d'entrée et de sortie.",
        "description": "Une concertation avec les riverains et les commerçants précède chaque rue.",
        "department": "Direction de la Voirie et des Déplacements",
        "arrondissements": [14],
        "budget_eur": 480_000,
        "residents_reached": 4_500,
        "point": [2.3260, 48.8330],
        "status": "consultation",
        "objectives": [
            ("social", "Rues aux écoles aménagées", "rues", 0, 6, "2027-09-01", []),
        ],
        "journal": [],
    },
    {
        "title": "Cours Oasis dans les 12e et 13e",
        "summary": "Transformer douze cours d'école en îlots de fraîcheur ouverts au quartier "
        "le week-end.",
        "description": "Sols perméables, points d'eau, arbres : les cours sont conçues avec les "
        "enfants.",
        "department": "Direction des Affaires scolaires",
        "arrondissements": [12, 13],
        "budget_eur": 3_600_000,
        "residents_reached": 7_000,
        "point": [2.3800, 48.8320],
        "status": "deployment",
        "objectives": [
            ("ecological", "Cours transformées", "cours", 0, 12, "2028-09-01", [4, 7]),
            (
                "social",
                "Heures d'ouverture au public par week-end",
                "heures",
                0,
                8,
                "2027-06-30",
                [4],
            ),
        ],
        "journal": [("Quatre cours livrées", "Les quatre premières cours sont ouvertes.")],
    },
    {
        "title": "Éclairage public intelligent dans le 16e",
        "summary": "Des luminaires LED pilotables qui baissent l'intensité la nuit quand "
        "personne ne passe.",
        "description": "Les luminaires sont pilotés à distance ; des détecteurs de présence "
        "relèvent l'intensité au passage des piétons et des cyclistes.",
        "department": "Direction de la Voirie et des Déplacements",
        "arrondissements": [16],
        "budget_eur": 2_100_000,
        "residents_reached": 165_000,
        "point": [2.2750, 48.8610],
        "status": "experimentation",
        "objectives": [
            (
                "economic",
                "Consommation électrique de l'éclairage",
                "MWh/an",
                5400,
                3200,
                "2028-12-31",
                [5100, 4600],
            ),
        ],
        "journal": [],
    },
    {
        "title": "Collecte des biodéchets à Paris Centre",
        "summary": "Des bornes de tri des déchets alimentaires dans toutes les rues de Paris "
        "Centre.",
        "description": "Chaque borne est équipée d'un capteur de remplissage pour optimiser "
        "les tournées de collecte.",
        "department": "Direction de la Propreté et de l'Eau",
        "arrondissements": [1, 2, 3, 4],
        "budget_eur": 900_000,
        "residents_reached": None,
        "point": [2.3490, 48.8610],
        "status": "deployment",
        "objectives": [
            (
                "ecological",
                "Biodéchets collectés",
                "tonnes/mois",
                0,
                250,
                "2027-12-31",
                [60, 120, 170],
            ),
            (
                "economic",
                "Tournées de collecte évitées grâce aux capteurs",
                "%",
                0,
                30,
                "2027-12-31",
                [12],
            ),
        ],
        "journal": [("300 bornes installées", "Les 300 premières bornes sont en service.")],
    },
    {
        "title": "Ferme urbaine sur les toits des Batignolles",
        "summary": "Un appel à projets Parisculteurs pour cultiver 4 000 m² de toits.",
        "description": "Les lauréats s'engagent à vendre une partie de la récolte en circuit "
        "court et à accueillir des écoles.",
        "department": "Direction des Espaces verts et de l'Environnement",
        "arrondissements": [17],
        "budget_eur": 350_000,
        "residents_reached": None,
        "point": [2.3150, 48.8870],
        "status": "idea",
        "objectives": [
            ("economic", "Emplois créés", "emplois", 0, 15, "2028-12-31", []),
        ],
        "journal": [],
    },
    {
        "title": "Baignade dans la Seine : capteurs de qualité de l'eau",
        "summary": "Mesurer la qualité bactériologique de l'eau en continu sur les sites de "
        "baignade.",
        "description": "Les résultats sont affichés sur place et publiés chaque matin avant "
        "l'ouverture des sites.",
        "department": "Direction de la Propreté et de l'Eau",
        "arrondissements": [4, 12, 15],
        "budget_eur": 780_000,
        "residents_reached": None,
        "point": [2.3560, 48.8520],
        "status": "done",
        "objectives": [
            ("social", "Jours de baignade ouverts par été", "jours", 0, 60, "2026-09-30", [41, 58]),
        ],
        "journal": [("Bilan de l'été", "Les sites ont été ouverts 58 jours.")],
    },
    {
        "title": "Plan Arbres : 170 000 arbres d'ici 2026",
        "summary": "Planter partout à Paris, en priorité là où il fait le plus chaud.",
        "description": "Un projet à l'échelle de la ville : les habitants proposent des "
        "emplacements, la Ville vérifie les réseaux souterrains.",
        "department": "Direction des Espaces verts et de l'Environnement",
        "arrondissements": [],
        "budget_eur": 50_000_000,
        "residents_reached": None,
        "point": None,
        "status": "deployment",
        "objectives": [
            (
                "ecological",
                "Arbres plantés depuis 2020",
                "arbres",
                0,
                170_000,
                "2026-12-31",
                [40_000, 86_000, 121_000],
            ),
        ],
        "journal": [("Saison de plantation", "La saison de plantation d'hiver commence.")],
    },
    {
        "title": "Sanisettes et fontaines accessibles, en open data",
        "summary": "Publier en temps réel la disponibilité des sanisettes et fontaines, et "
        "rendre 100 % des sanisettes accessibles.",
        "description": "Un jeu de données ouvert, mis à jour par les capteurs des sanisettes.",
        "department": "Direction de la Propreté et de l'Eau",
        "arrondissements": [5, 6, 7],
        "budget_eur": 150_000,
        "residents_reached": None,
        "point": [2.3440, 48.8460],
        "status": "design",
        "objectives": [
            (
                "social",
                "Sanisettes accessibles aux personnes à mobilité réduite",
                "%",
                72,
                100,
                "2027-12-31",
                [78],
            ),
        ],
        "journal": [],
    },
]

PEOPLE = [
    ("admin@parvis.localhost", "Camille Admin", "admin", 4),
    ("agent@parvis.localhost", "Karim Agent", "staff", 10),
    ("moderation@parvis.localhost", "Sophie Modération", "moderator", 11),
    ("habitante@parvis.localhost", "Léa Habitante", "resident", 18),
    ("habitant@parvis.localhost", "Hugo Habitant", "resident", 20),
]
COMMENTS = [
    (
        0,
        3,
        "Pourquoi pas une borne sur la place de l'Assommoir ? Beaucoup de jeunes y "
        "passent l'après-midi.",
    ),
    (1, 4, "Bravo ! Est-ce que les données seront aussi affichées devant l'école ?"),
    (3, 3, "La piste est très utilisée le matin, merci."),
]
