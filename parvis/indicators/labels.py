from parvis.indicators.models import Pillar
from parvis.kernel.i18n import gettext, lazy

PILLAR_LABELS = {
    Pillar.ECOLOGICAL: lazy("Ecological"),
    Pillar.ECONOMIC: lazy("Economic"),
    Pillar.SOCIAL: lazy("Social"),
}


def pillar_label(pillar: Pillar | str) -> str:
    return gettext(PILLAR_LABELS[Pillar(pillar)])
