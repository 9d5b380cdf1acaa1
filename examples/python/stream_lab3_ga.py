"""Stream tutorial lab 3: layer-fused scheduling of four convolutions on a heterogeneous
multi-core accelerator, the layer-core allocation chosen by the genetic algorithm.

As Stream's tutorial main script, with `zigzag_rs.stream` imported instead of `stream`."""

from zigzag_rs.stream.api import optimize_allocation_ga

from _tutorial import output, reference

lab = reference("stream/oracle/inputs/stream-tutorial/lab3/inputs")
scme = optimize_allocation_ga(
    hardware=str(lab / "hardware/hda_bus.yaml"),
    workload=str(lab / "workload/4_convs.onnx"),
    mapping=str(lab / "mapping/mapping.yaml"),
    mode="fused",
    layer_stacks=[(0, 1, 2, 3)],
    nb_ga_generations=4,
    nb_ga_individuals=4,
    experiment_id="lab3_ga",
    output_path=output("stream"),
    skip_if_exists=False,
)
print(f"latency {scme.latency:.0f} cycles, energy {scme.energy:.1f} pJ "
      f"(on-chip CN energy {scme.total_cn_onchip_energy:.1f} pJ), {len(scme.schedule)} CNs scheduled")
print(f"Gantt chart: {output('stream')}/lab3_ga/gantt.html")
