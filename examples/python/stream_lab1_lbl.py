"""Stream tutorial lab 1: layer-by-layer scheduling of four convolutions on a heterogeneous
multi-core accelerator, every layer's core fixed by the mapping (Layer0 and Layer3 on core 0,
Layer1 on core 1, Layer2 on core 2).

As Stream's tutorial main script, with `zigzag_rs.stream` imported instead of `stream`; the
mapping leaves no core open, so the genetic algorithm has nothing to choose and the run is the
fixed-allocation schedule."""

from zigzag_rs.stream.api import optimize_allocation_ga

from _tutorial import output, reference

lab = reference("stream/oracle/inputs/stream-tutorial/lab1/inputs")
scme = optimize_allocation_ga(
    hardware=str(lab / "hardware/hda_bus.yaml"),
    workload=str(lab / "workload/4_convs.onnx"),
    mapping=str(lab / "mapping/mapping.yaml"),
    mode="lbl",
    layer_stacks=[(0,), (1,), (2,), (3,)],
    nb_ga_generations=4,
    nb_ga_individuals=4,
    experiment_id="lab1_lbl",
    output_path=output("stream"),
    skip_if_exists=False,
)
print(f"latency {scme.latency:.0f} cycles, energy {scme.energy:.1f} pJ, {len(scme.schedule)} CNs scheduled")
for cn in scme.schedule:
    print(f"  layer {cn.layer} sub {cn.sub_id} on core {cn.core}: {cn.start:.0f} .. {cn.end:.0f}")
