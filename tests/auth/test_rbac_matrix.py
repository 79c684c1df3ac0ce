"""Every role against every endpoint: the table below is the access policy, and the app must match it."""

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from backend.auth.models import User
from backend.auth.roles import Role
from tests.conftest import TEST_PASSWORD

ALL = frozenset(Role)
PUBLIC: frozenset[Role] = frozenset()
ADMIN = frozenset({Role.admin})
MANAGERS = frozenset({Role.admin, Role.supervisor})
COURT_INTAKE = frozenset({Role.admin, Role.supervisor, Role.clerk})
SERVICE_STAFF = frozenset({Role.admin, Role.supervisor, Role.agent, Role.field_officer})
CALLERS = frozenset({Role.admin, Role.supervisor, Role.agent})
WINDOW = frozenset({Role.admin, Role.supervisor, Role.clerk})
FIELD = frozenset({Role.admin, Role.supervisor, Role.field_officer})

POLICY: dict[tuple[str, str], frozenset[Role]] = {
    ("GET", "/api/health"): PUBLIC,
    ("POST", "/api/auth/login"): PUBLIC,
    ("GET", "/api/auth/me"): ALL,
    ("POST", "/api/auth/logout"): ALL,
    ("GET", "/api/users"): ADMIN,
    ("POST", "/api/users"): ADMIN,
    ("PATCH", "/api/users/{user_id}"): ADMIN,
    ("POST", "/api/users/{user_id}/password"): ADMIN,
    ("POST", "/api/users/{user_id}/unlock"): ADMIN,
    ("POST", "/api/intake/imports"): COURT_INTAKE,
    ("GET", "/api/intake/imports"): COURT_INTAKE,
    ("GET", "/api/intake/imports/{job_id}"): COURT_INTAKE,
    ("GET", "/api/intake/imports/{job_id}/problems.xlsx"): COURT_INTAKE,
    ("GET", "/api/hearings/week"): COURT_INTAKE,
    ("GET", "/api/hearings/at-risk"): COURT_INTAKE,
    ("GET", "/api/hearings/courtrooms"): COURT_INTAKE,
    ("PUT", "/api/hearings/{case_id}"): frozenset({Role.admin, Role.clerk}),
    ("GET", "/api/cases"): ALL,
    ("GET", "/api/cases/{case_id}"): ALL,
    ("GET", "/api/cases/{case_id}/file"): ALL,
    ("GET", "/api/parties"): ALL,
    ("GET", "/api/parties/{party_id}"): ALL,
    ("GET", "/api/deliveries"): ALL,
    ("GET", "/api/deliveries/{delivery_id}"): ALL,
    ("POST", "/api/deliveries"): COURT_INTAKE,
    ("POST", "/api/deliveries/{delivery_id}/transition"): SERVICE_STAFF,
    ("POST", "/api/deliveries/{delivery_id}/attempts"): SERVICE_STAFF,
    ("POST", "/api/attempts/{attempt_id}/transition"): SERVICE_STAFF,
    ("POST", "/api/attempts/{attempt_id}/serve"): SERVICE_STAFF,
    ("GET", "/api/attempts/{attempt_id}/facts"): ALL,
    ("GET", "/api/router/alerts"): MANAGERS,
    ("POST", "/api/deliveries/{delivery_id}/assign"): MANAGERS,
    ("GET", "/api/board/assignees"): MANAGERS,
    ("POST", "/api/board/assign"): MANAGERS,
    ("GET", "/api/board/export"): MANAGERS,
    ("GET", "/api/audit"): ADMIN,
    ("GET", "/api/audit/actions"): ADMIN,
    ("GET", "/api/documents/{document_id}/file"): ALL,
    ("GET", "/api/evidence/{evidence_id}/content"): ALL,
    ("POST", "/api/evidence/{evidence_id}/media-link"): ALL,
    ("GET", "/api/evidence/media/{token}"): PUBLIC,  # the signed, expiring link is its authentication
    ("GET", "/api/cases/{case_id}/evidence"): ALL,
    ("GET", "/api/cases/{case_id}/evidence/verify"): COURT_INTAKE,
    ("POST", "/api/proofs"): SERVICE_STAFF,
    ("POST", "/api/proofs/address-confirmations"): ALL,
    ("GET", "/api/proofs/{proof_id}/verify"): PUBLIC,
    ("GET", "/api/messaging/reports/{token}"): PUBLIC,  # the per-message token is its authentication
    ("GET", "/api/messaging/sms-inbox"): ADMIN,
    ("POST", "/api/calls"): CALLERS,
    ("POST", "/api/calls/{call_id}/hangup"): CALLERS,
    ("GET", "/api/calls/live"): CALLERS,
    ("GET", "/api/calls/{call_id}"): CALLERS,
    ("GET", "/api/transcripts/search"): ALL,
    ("GET", "/api/transcripts/{transcript_id}"): ALL,
    ("POST", "/api/transcripts/flags/{flag_id}/review"): CALLERS | {Role.clerk},
    ("POST", "/api/transcripts/{transcript_id}/retry"): MANAGERS,
    ("GET", "/api/cases/{case_id}/calls"): ALL,
    ("GET", "/api/desk/me"): CALLERS,
    ("POST", "/api/desk/presence"): CALLERS,
    ("POST", "/api/desk/next"): CALLERS,
    ("GET", "/api/desk/tasks/{delivery_id}"): CALLERS,
    ("POST", "/api/desk/tasks/{delivery_id}/release"): CALLERS,
    ("POST", "/api/desk/tasks/{delivery_id}/call"): CALLERS,
    ("POST", "/api/desk/calls/{call_id}/hangup"): CALLERS,
    ("POST", "/api/desk/tasks/{delivery_id}/disposition"): CALLERS,
    ("GET", "/api/desk/pickup-slots"): CALLERS,
    ("GET", "/api/wall"): MANAGERS,
    ("POST", "/api/wall/agents/{user_id}/presence"): MANAGERS,
    ("POST", "/api/wall/calls/{call_id}/listen"): MANAGERS,
    ("GET", "/api/wall/pickup-windows"): MANAGERS,
    ("POST", "/api/wall/pickup-windows"): MANAGERS,
    ("POST", "/api/wall/pickup-windows/{window_id}/slots"): MANAGERS,
    ("GET", "/api/wall/pickup-windows/{window_id}/templates"): MANAGERS,
    ("POST", "/api/wall/pickup-windows/{window_id}/templates"): MANAGERS,
    ("POST", "/api/wall/pickup-windows/{window_id}/generate"): MANAGERS,
    ("DELETE", "/api/wall/pickup-windows/{window_id}/templates/{template_id}"): MANAGERS,
    ("GET", "/api/wall/pickup-holidays"): MANAGERS,
    ("POST", "/api/wall/pickup-holidays"): MANAGERS,
    ("POST", "/api/desk/pickup-bookings/{booking_id}/cancel"): CALLERS,
    ("POST", "/api/desk/pickup-bookings/{booking_id}/rebook"): CALLERS,
    ("GET", "/api/pickup/appointments/{token}"): PUBLIC,
    ("POST", "/api/pickup/appointments/{token}/cancel"): PUBLIC,
    ("POST", "/api/pickup/appointments/{token}/rebook"): PUBLIC,
    ("GET", "/api/window/windows"): WINDOW,
    ("GET", "/api/window/bookings"): WINDOW,
    ("POST", "/api/window/check-in"): WINDOW,
    ("GET", "/api/window/walk-ins"): WINDOW,
    ("POST", "/api/window/walk-ins"): WINDOW,
    ("GET", "/api/window/attempts/{attempt_id}"): WINDOW,
    ("POST", "/api/window/attempts/{attempt_id}/hand-over"): WINDOW,
    ("POST", "/api/window/attempts/{attempt_id}/signatures/receipt"): WINDOW,
    ("POST", "/api/window/attempts/{attempt_id}/signatures/address-confirmation"): WINDOW,
    ("POST", "/api/window/attempts/{attempt_id}/refusal"): WINDOW,
    ("POST", "/api/window/attempts/{attempt_id}/authorisation"): WINDOW,
    ("POST", "/api/window/attempts/{attempt_id}/serve"): WINDOW,
    ("GET", "/api/field/attempts"): MANAGERS,
    ("GET", "/api/field/officers"): MANAGERS,
    ("POST", "/api/field/assignments"): MANAGERS,
    ("POST", "/api/field/plan-day"): MANAGERS,
    ("PUT", "/api/field/attempts/{attempt_id}/window"): MANAGERS,
    ("GET", "/api/field/officers/{officer_id}/day"): MANAGERS,
    ("PUT", "/api/field/officers/{officer_id}/day"): MANAGERS,
    ("GET", "/api/field/settings"): FIELD,
    ("GET", "/api/field/tasks"): FIELD,
    ("GET", "/api/field/tasks/{assignment_id}"): FIELD,
    ("POST", "/api/field/routes"): FIELD,
    ("POST", "/api/field/tasks/{assignment_id}/check-in"): FIELD,
    ("POST", "/api/field/tasks/{assignment_id}/media"): FIELD,
    ("POST", "/api/field/tasks/{assignment_id}/outcome"): FIELD,
    ("POST", "/api/field/tasks/{assignment_id}/signatures"): FIELD,
    ("POST", "/api/field/tasks/{assignment_id}/uploads"): FIELD,
    ("GET", "/api/field/uploads/{upload_id}"): FIELD,
    ("PUT", "/api/field/uploads/{upload_id}/chunk"): FIELD,
    ("POST", "/api/field/track"): FIELD,
    ("GET", "/api/field/mileage"): FIELD,
    ("POST", "/api/postal/batches/build"): COURT_INTAKE,
    ("GET", "/api/postal/batches"): COURT_INTAKE,
    ("GET", "/api/postal/batches/{batch_id}"): COURT_INTAKE,
    ("POST", "/api/postal/batches/{batch_id}/confirm"): COURT_INTAKE,
    ("PATCH", "/api/postal/letters/{item_id}"): COURT_INTAKE,
    ("DELETE", "/api/postal/letters/{item_id}"): COURT_INTAKE,
    ("GET", "/api/postal/letters/{item_id}"): COURT_INTAKE,
    ("GET", "/api/postal/letters"): COURT_INTAKE,
    ("GET", "/api/paper-requests"): COURT_INTAKE,
    ("POST", "/api/paper-requests/{request_id}/handled"): COURT_INTAKE,
    ("GET", "/api/postal/batches/{batch_id}/ems-labels.pdf"): COURT_INTAKE,
    ("GET", "/api/postal/batches/{batch_id}/{kind}.pdf"): COURT_INTAKE,
    ("GET", "/api/postal/printers"): COURT_INTAKE,
    ("POST", "/api/postal/printers"): COURT_INTAKE,
    ("PUT", "/api/postal/printers/{printer_id}"): COURT_INTAKE,
    ("GET", "/api/postal/printers/{printer_id}/calibration.pdf"): COURT_INTAKE,
    ("POST", "/api/postal/letters/{item_id}/receipts"): COURT_INTAKE,
    ("POST", "/api/postal/receipts"): COURT_INTAKE,
    ("GET", "/api/postal/silent"): MANAGERS,
    ("GET", "/api/postal/awaiting-scan"): MANAGERS,
    ("GET", "/api/postal/costs"): COURT_INTAKE,
    ("POST", "/api/postal/push"): PUBLIC,  # the vendor's signature is its authentication
    # The party portal's login steps: public (a personal link's token, a one-time code, WeChat's code).
    ("GET", "/api/portal/config"): PUBLIC,
    ("GET", "/api/portal/links/{token}"): PUBLIC,
    ("POST", "/api/portal/codes"): PUBLIC,
    ("POST", "/api/portal/login"): PUBLIC,
    ("GET", "/api/portal/wechat/start"): PUBLIC,
    ("GET", "/api/portal/wechat/callback"): PUBLIC,
}
# Only a party's portal session opens these: 401 without one, and 401 for every staff token too.
PARTY_SESSION_ONLY = {
    ("POST", "/api/portal/logout"),
    ("GET", "/api/portal/me"),
    ("GET", "/api/portal/deliveries/{delivery_id}/documents/{document_id}/file"),
    ("POST", "/api/portal/deliveries/{delivery_id}/documents/{document_id}/pages"),
    ("POST", "/api/portal/deliveries/{delivery_id}/sign"),
    ("POST", "/api/portal/deliveries/{delivery_id}/paper"),
    ("POST", "/api/portal/deliveries/{delivery_id}/address-confirmation"),
}


def _operations(client: TestClient) -> set[tuple[str, str]]:
    paths = client.get("/api/openapi.json").json()["paths"]
    return {(method.upper(), path) for path, item in paths.items() for method in item}


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "987654", path)


def _call(client: TestClient, method: str, path: str, headers: dict[str, str]) -> int:
    body = {} if method in {"POST", "PATCH", "PUT"} else None
    return client.request(method, _concrete(path), json=body, headers=headers).status_code


def test_policy_covers_every_endpoint(client: TestClient) -> None:
    assert _operations(client) == set(POLICY) | PARTY_SESSION_ONLY


def test_party_session_endpoints_admit_no_staff_token(
    client: TestClient, make_user: Callable[..., User]
) -> None:
    tokens = {}
    for role in Role:
        user = make_user(role)
        answer = client.post("/api/auth/login", json={"username": user.username, "password": TEST_PASSWORD})
        tokens[role] = {"Authorization": f"Bearer {answer.json()['token']}"}
    wrong = {
        (method, path, role): status
        for method, path in PARTY_SESSION_ONLY
        for role, headers in [(None, {}), *tokens.items()]
        if (status := _call(client, method, path, headers)) != 401
    }
    assert not wrong


def test_anonymous_callers_reach_only_public_endpoints(client: TestClient) -> None:
    wrong = {}
    for (method, path), roles in POLICY.items():
        status = _call(client, method, path, {})
        if (status == 401) != bool(roles):
            wrong[(method, path)] = status
    assert not wrong


@pytest.mark.parametrize("role", list(Role))
def test_each_role_reaches_exactly_its_endpoints(
    role: Role, client: TestClient, make_user: Callable[..., User]
) -> None:
    user = make_user(role)

    def fresh_headers() -> dict[str, str]:
        response = client.post("/api/auth/login", json={"username": user.username, "password": TEST_PASSWORD})
        return {"Authorization": f"Bearer {response.json()['token']}"}

    headers = fresh_headers()
    wrong = {}
    for (method, path), roles in POLICY.items():
        if not roles:
            continue
        status = _call(client, method, path, fresh_headers() if path.endswith("/logout") else headers)
        admitted = status not in (401, 403)
        if admitted != (role in roles):
            wrong[(method, path)] = status
    assert not wrong
