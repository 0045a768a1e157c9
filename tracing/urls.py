from django.urls import path

from tracing.views import chain, exports, followup, lists, searches

app_name = "tracing"
urlpatterns = [
    path("", searches.search_new, name="search-new"),
    path("searches/", searches.search_list, name="search-list"),
    path("searches/<int:pk>/", searches.search_detail, name="search-detail"),
    path("searches/<int:pk>/candidates/<int:rank>/mark/", followup.candidate_mark, name="candidate-mark"),
    path("searches/<int:pk>/ring2/", followup.ring2_ask, name="ring2-ask"),
    path("searches/<int:pk>/chain/", chain.search_chain, name="search-chain"),
    path("searches/<int:pk>/chain/print/", chain.search_chain_print, name="search-chain-print"),
    path("searches/<int:pk>/export.xlsx", exports.export, name="export"),
    path("searches/<int:pk>/send-lists/", lists.send_lists, name="send_lists"),
    path("lists/", lists.list_page, name="lists"),
    path("lists/<int:pk>/download/", lists.list_download, name="list_download"),
]
