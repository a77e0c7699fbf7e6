"""URLs of the evaluations app: each area owns its patterns; they share the
``evaluations`` namespace so that a page's name does not depend on its area."""

from evaluations.declarations import urls as declarations
from evaluations.deliberation import urls as deliberation
from evaluations.documents import urls as documents
from evaluations.epreuves import urls as epreuves
from evaluations.jury import urls as jury
from evaluations.livrables import urls as livrables
from evaluations.notation import urls as notation
from evaluations.recours import urls as recours
from evaluations.resultats import urls as resultats
from evaluations.sessions import urls as sessions
from evaluations.statistiques import urls as statistiques

app_name = "evaluations"
urlpatterns = [
    *sessions.urlpatterns,
    *livrables.urlpatterns,
    *jury.urlpatterns,
    *notation.urlpatterns,
    *deliberation.urlpatterns,
    *documents.urlpatterns,
    *resultats.urlpatterns,
    *recours.urlpatterns,
    *epreuves.urlpatterns,
    *declarations.urlpatterns,
    *statistiques.urlpatterns,
]
