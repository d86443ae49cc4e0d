from django.urls import path

from commed.outreach import views

app_name = "outreach"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("programmes/new/", views.programme_create, name="programme_create"),
    path("programmes/<int:pk>/", views.programme_detail, name="programme_detail"),
    path("programmes/<int:pk>/rules/", views.programme_rules, name="programme_rules"),
    path("programmes/<int:pk>/referral-link/", views.referral_link, name="referral_link"),
    path("programmes/<int:pk>/pupils/new/", views.pupil_create, name="pupil_create"),
    path("programmes/<int:pk>/activities/new/", views.activity_create, name="activity_create"),
    path("programmes/<int:pk>/placements/new/", views.placement_create, name="placement_create"),
    path("programmes/<int:pk>/matching/", views.matching, name="matching"),
    path("programmes/<int:pk>/exports/", views.export_list, name="export_list"),
    path("programmes/<int:pk>/exports/<str:kind>.csv", views.export, name="export"),
    path("apply/<int:pk>/", views.apply, name="apply"),
    path("pupils/<int:pk>/", views.pupil_detail, name="pupil_detail"),
    path("pupils/<int:pk>/decide/", views.pupil_decide, name="pupil_decide"),
    path("pupils/<int:pk>/consent/", views.consent_record, name="consent_record"),
    path("pupils/<int:pk>/consent/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("pupils/<int:pk>/certificate.pdf", views.certificate, name="certificate"),
    path("pupils/<int:pk>/survey/", views.survey_send, name="survey_send"),
    path("pupils/<int:pk>/concern/", views.concern_raise, name="concern_raise"),
    path("activities/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/register/", views.register, name="register"),
    path("registrations/<int:pk>/toggle/", views.attendance_toggle, name="attendance_toggle"),
    path("placements/<int:pk>/", views.placement_detail, name="placement_detail"),
    path("mentors/", views.mentor_list, name="mentor_list"),
    path("mentors/new/", views.mentor_create, name="mentor_create"),
    path("mentors/<int:pk>/", views.mentor_edit, name="mentor_edit"),
    path("matches/<int:pk>/end/", views.match_end, name="match_end"),
    path("mentoring/", views.my_mentees, name="my_mentees"),
    path("mentoring/<int:pk>/sessions/new/", views.session_log, name="session_log"),
    path("concerns/", views.concern_list, name="concern_list"),
    path("concerns/<int:pk>/", views.concern_detail, name="concern_detail"),
]
