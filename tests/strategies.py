"""Hypothesis strategies shared by the property tests.

The lists they draw from are the program's own (:mod:`rhmodel.core.products` and the parameter
schema), never retyped here: a product, platform or requirement added there is drawn here too.
"""

from __future__ import annotations

from hypothesis import strategies as st

from rhmodel.core.params import SCHEMA
from rhmodel.core.products import (
    CONTRACTS,
    INCUMBENTS,
    METRICS,
    PLATFORMS,
    PRODUCTS,
    REASON_CODES,
    TENANT_CLOUDS,
)

#: The yes/no/all needs of ``requirements.*`` (``requirements.platforms`` is a list, not one).
REQUIREMENT_KEYS = tuple(s.key for s in SCHEMA if s.kind == "need")

requirement_sets = st.sets(st.sampled_from(REQUIREMENT_KEYS))
tenant_clouds = st.sampled_from(TENANT_CLOUDS)
platform_lists = st.lists(st.sampled_from(PLATFORMS), unique=True, max_size=len(PLATFORMS))
products = st.sampled_from(PRODUCTS)
incumbents = st.sampled_from(INCUMBENTS)
reason_codes = st.sampled_from(REASON_CODES)
contracts = st.sampled_from(CONTRACTS)
#: A contract with one of the licence metrics its product is sold under.
contract_metrics = contracts.flatmap(lambda c: st.tuples(st.just(c), st.sampled_from(c.metrics)))
licence_metrics = st.sampled_from(METRICS)
