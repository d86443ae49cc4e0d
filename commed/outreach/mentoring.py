"""The mentor clearance rule: enforced, not advisory.

A mentor may be matched with a pupil only while BOTH hold on the day:

- an ENHANCED DBS check is current. A certificate is current for DBS_VALID_YEARS (3) years from its issue date,
  unless the mentor subscribes to the DBS update service and the coordinator checked their status online within
  the last UPDATE_CHECK_DAYS (365) days, in which case it stays current without a new certificate;
- safeguarding training was completed within TRAINING_VALID_YEARS (2) years.

A mentor who fails either cannot be matched (`services.match_create` refuses), and their existing matches are
flagged on the coordinator's pages (`selectors.matches_flagged`) until they are renewed or the matches are ended.
"""

from __future__ import annotations

import datetime as dt

from commed.outreach.models import Mentor

DBS_VALID_YEARS = 3
UPDATE_CHECK_DAYS = 365
TRAINING_VALID_YEARS = 2


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def dbs_valid_until(mentor: Mentor) -> dt.date | None:
    if not mentor.dbs_enhanced or mentor.dbs_issued_on is None or not mentor.dbs_number:
        return None
    until = _add_years(mentor.dbs_issued_on, DBS_VALID_YEARS)
    if mentor.dbs_update_service and mentor.dbs_update_checked_on is not None:
        until = max(until, mentor.dbs_update_checked_on + dt.timedelta(days=UPDATE_CHECK_DAYS))
    return until


def training_valid_until(mentor: Mentor) -> dt.date | None:
    if mentor.safeguarding_training_on is None:
        return None
    return _add_years(mentor.safeguarding_training_on, TRAINING_VALID_YEARS)


def mentor_problems(mentor: Mentor, on: dt.date) -> list[str]:
    """Why this mentor may not be matched on `on`; empty when they may."""
    problems = []
    if not mentor.active:
        problems.append("not active")
    if not mentor.dbs_enhanced or mentor.dbs_issued_on is None or not mentor.dbs_number:
        problems.append("no enhanced DBS check on record")
    else:
        until = dbs_valid_until(mentor)
        if until is not None and until <= on:
            problems.append(f"DBS check expired on {until:%d %b %Y}")
    training = training_valid_until(mentor)
    if training is None:
        problems.append("no safeguarding training on record")
    elif training <= on:
        problems.append(f"safeguarding training expired on {training:%d %b %Y}")
    return problems


def mentor_cleared(mentor: Mentor, on: dt.date) -> bool:
    return not mentor_problems(mentor, on)


def age_on(date_of_birth: dt.date, on: dt.date) -> int:
    return on.year - date_of_birth.year - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))
