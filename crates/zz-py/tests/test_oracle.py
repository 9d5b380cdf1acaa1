"""The attributes of the returned evaluations equal ZigZag 3.9.1's per-layer values (the
oracle fixtures of reference/zigzag/oracle)."""

from __future__ import annotations

import json

import pytest

from zigzag_rs.api import get_hardware_performance_zigzag

FIXTURES = ["tpu_like_onnx", "gemm_l1", "edge_tpu_like_yaml"]
REL = 1e-9


def _lists(x):
    if isinstance(x, (list, tuple)):
        return [_lists(v) for v in x]
    if isinstance(x, dict):
        return {str(k): _lists(v) for k, v in x.items()}
    return x


def _close(a, b):
    if isinstance(a, dict):
        return set(map(str, a)) == set(map(str, b)) and all(_close(a[k], b[str(k)]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b))
    if isinstance(a, str) or isinstance(b, str):
        return str(a) == str(b)
    return a == pytest.approx(b, rel=REL, abs=1e-12)


@pytest.mark.parametrize("name", FIXTURES)
def test_cme_attributes_equal_the_oracle(name, zigzag_ref, tmp_path):
    oracle = json.loads((zigzag_ref / "oracle" / f"{name}.json").read_text())
    meta = oracle["meta"]
    energy, latency, cmes = get_hardware_performance_zigzag(
        str(zigzag_ref / meta["workload"]),
        str(zigzag_ref / meta["accelerator"]),
        str(zigzag_ref / meta["mapping"]),
        opt=meta["opt"],
        lpf_limit=meta["lpf_limit"],
        nb_spatial_mappings_generated=meta["nb_spatial_mappings_generated"],
        enable_mix_spatial_mapping=meta["enable_mix_spatial_mapping"],
        exploit_data_locality=meta["exploit_data_locality"],
        temporal_mapping_type=meta["temporal_mapping_type"],
        dump_folder=str(tmp_path),
    )
    assert energy == pytest.approx(oracle["totals"]["energy"], rel=REL)
    assert latency == pytest.approx(oracle["totals"]["latency"], rel=REL)
    total = cmes[0][0]
    assert _close(total.mem_energy_breakdown, oracle["totals"]["mem_energy_breakdown"])
    layers = cmes[0][1]
    assert len(layers) == len(oracle["layers"])
    for (cme, _), ref in zip(layers, oracle["layers"]):
        assert cme.layer.id == ref["id"] and cme.layer.name == ref["name"] and cme.layer.type == ref["type"]
        for attr in (
            "energy_total",
            "mac_energy",
            "mem_energy",
            "latency_total0",
            "latency_total1",
            "latency_total2",
            "ideal_cycle",
            "ideal_temporal_cycle",
            "data_onloading_cycle",
            "data_offloading_cycle",
            "systolic_drain_cycle",
            "stall_slack_comb",
            "mac_spatial_utilization",
            "mac_utilization0",
            "mac_utilization1",
            "mac_utilization2",
        ):
            assert _close(getattr(cme, attr), ref[attr]), (ref["name"], attr)
        assert _close(cme.mem_energy_breakdown, ref["mem_energy_breakdown"])
        further = {op: [lv.data for lv in levels] for op, levels in cme.mem_energy_breakdown_further.items()}
        assert _close(further, ref["mem_energy_breakdown_further"])
        accesses = {op: [lv.data for lv in levels] for op, levels in cme.memory_word_access.items()}
        assert _close(accesses, ref["memory_word_access"])
        assert _lists(cme.layer.spatial_mapping) == ref["spatial_mapping"]
        assert str(cme.layer.spatial_mapping) == ref["spatial_mapping_str"]
        # the order of the unrollings within one level carries no meaning (the engine keeps its
        # own); their multiset per level must match
        def per_level(d):
            return {str(op): [sorted(map(tuple, level)) for level in levels] for op, levels in _lists(d).items()}

        assert per_level(cme.spatial_mapping.mapping_dict_origin) == per_level(ref["spatial_mapping_internal"])
        assert _lists(cme.temporal_mapping.mapping_dic_stationary) == ref["temporal_mapping"]
        assert {str(k): str(v) for k, v in cme.memory_operand_links.items()} == ref["memory_operand_links"]
        assert _close(cme.mem_utili_shared, ref["mem_utilization_shared"])
