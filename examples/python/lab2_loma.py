"""Tutorial lab 2: let LOMA search the temporal mapping (the mapping file has no temporal ordering).

As the ZigZag tutorial's lab2/main.py, with `zigzag_rs` imported instead of `zigzag`."""

from zigzag_rs.api import get_hardware_performance_zigzag

from _tutorial import output, reference

lab = reference("zigzag-tutorial/lab2/inputs")
energy, latency, cmes = get_hardware_performance_zigzag(
    str(lab / "workload/resnet18_first_layer.onnx"),
    str(lab / "hardware-v39/accelerator1.yaml"),
    str(lab / "mapping/mapping.yaml"),
    opt="latency",
    lpf_limit=6,
    dump_folder=output("lab2"),
)
print(f"Total network energy = {energy:.2e} pJ")
print(f"Total network latency = {latency:.2e} cycles")
cme = cmes[0][1][0][0]
print(f"chosen spatial mapping {cme.layer.spatial_mapping}, "
      f"{cme.temporal_mappings_evaluated} temporal mappings evaluated")
print(f"chosen temporal mapping {cme.temporal_mapping}")
print(f"MAC utilisation {cme.mac_utilization2:.1%}")
