"""Hypothesis strategies shared by the property tests."""

from __future__ import annotations

from hypothesis import strategies as st

REQUIREMENT_KEYS = (
    "requirements.external_or_unmanaged_support",
    "requirements.unattended_windows",
    "requirements.privileged_access_management",
    "requirements.mandatory_session_recording",
    "requirements.bundled_rmm_ticketing",
    "requirements.unsupported_platforms",
    "requirements.on_prem_or_air_gapped",
)

requirement_sets = st.sets(st.sampled_from(REQUIREMENT_KEYS))
tenant_clouds = st.sampled_from(("commercial", "gcc", "gcc_high", "dod"))
platform_lists = st.lists(
    st.sampled_from(("windows", "macos", "android", "linux", "ios", "chromeos")),
    unique=True,
    max_size=6,
)
