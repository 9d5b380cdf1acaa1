"""Stream tutorial lab 3, second half: the layer-core allocation the genetic algorithm found
(Layer0 on core 2, Layer1-3 on core 1) written into the mapping as fixed core allocations,
then one layer-fused schedule of the four convolutions — no GA runs, as every layer is fixed.

As Stream's tutorial flow, with `zigzag_rs.stream` imported instead of `stream`."""

import os

import yaml

from zigzag_rs.stream.api import optimize_allocation_ga

from _tutorial import output, reference

lab = reference("stream/oracle/inputs/stream-tutorial/lab3/inputs")
with open(lab / "mapping/mapping.yaml") as f:
    default = yaml.safe_load(f)[0]  # the lab's `default` entry: cores [0, 1, 2], intra-core tiling OY all
fixed_cores = {"Layer0": 2, "Layer1": 1, "Layer2": 1, "Layer3": 1}
mapping = [default] + [
    {"name": name, "core_allocation": [core], "intra_core_tiling": default["intra_core_tiling"]}
    for name, core in fixed_cores.items()
]
folder = output("stream")
os.makedirs(folder, exist_ok=True)
mapping_path = os.path.join(folder, "lab3_fixed_mapping.yaml")
with open(mapping_path, "w") as f:
    yaml.safe_dump(mapping, f, sort_keys=False)

scme = optimize_allocation_ga(
    hardware=str(lab / "hardware/hda_bus.yaml"),
    workload=str(lab / "workload/4_convs.onnx"),
    mapping=mapping_path,
    mode="fused",
    layer_stacks=[(0, 1, 2, 3)],
    nb_ga_generations=4,
    nb_ga_individuals=4,
    experiment_id="lab3_fused_fixed",
    output_path=folder,
    skip_if_exists=False,
)
print(f"latency {scme.latency:.0f} cycles, energy {scme.energy:.1f} pJ, {len(scme.schedule)} CNs scheduled")
cores = sorted({(cn.layer, cn.core) for cn in scme.schedule})
print("layer -> core:", ", ".join(f"{layer} -> {core}" for layer, core in cores))
print(f"Gantt chart: {folder}/lab3_fused_fixed/gantt.html")
