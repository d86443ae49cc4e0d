from django.urls import path

from commed.qualitative import views

app_name = "qualitative"
urlpatterns = [
    path("", views.study_list, name="study_list"),
    path("new/", views.study_create, name="study_create"),
    path("<slug:slug>/", views.study_detail, name="study"),
    path("<slug:slug>/members/", views.members, name="members"),
    path("<slug:slug>/localities/", views.study_localities, name="study_localities"),
    path("<slug:slug>/participants/", views.participants, name="participants"),
    path("<slug:slug>/participants/import/", views.participants_import, name="participants_import"),
    path("<slug:slug>/participants/<int:pk>/identity/", views.participant_identity, name="participant_identity"),
    path("<slug:slug>/documents/import/", views.documents_import, name="documents_import"),
    path("<slug:slug>/documents/<int:pk>/", views.document_detail, name="document"),
    path("<slug:slug>/documents/<int:pk>/code/", views.coding_create, name="coding_create"),
    path("<slug:slug>/documents/<int:pk>/correct/", views.document_correct, name="document_correct"),
    path("<slug:slug>/documents/<int:pk>/pseudonymisation/", views.document_log, name="document_log"),
    path("<slug:slug>/turns/<int:pk>/", views.turn_edit, name="turn_edit"),
    path("<slug:slug>/turns/<int:pk>/code/", views.turn_code, name="turn_code"),
    path("<slug:slug>/codings/<int:pk>/delete/", views.coding_delete, name="coding_delete"),
    path("<slug:slug>/codings/<int:pk>/quote/", views.coding_quote, name="coding_quote"),
    path("<slug:slug>/codebook/", views.codebook, name="codebook"),
    path("<slug:slug>/codes/<int:pk>/", views.code_detail, name="code"),
    path("<slug:slug>/memos/new/", views.memo_create, name="memo_create"),
    path("<slug:slug>/search/", views.search, name="search"),
    path("<slug:slug>/analysis/", views.analysis, name="analysis"),
    path("<slug:slug>/agreement/", views.agreement, name="agreement"),
    path("<slug:slug>/review/", views.review, name="review"),
    path("<slug:slug>/themes/", views.themes, name="themes"),
    path("<slug:slug>/themes.<str:fmt>", views.themes_export, name="themes_export"),
    path("<slug:slug>/exchange/", views.exchange_page, name="exchange"),
    path("<slug:slug>/export.qdpx", views.export_qdpx, name="export_qdpx"),
    path("<slug:slug>/codebook.qdc", views.export_qdc, name="export_qdc"),
]
