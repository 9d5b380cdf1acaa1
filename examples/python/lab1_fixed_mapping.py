"""Tutorial lab 1: the cost of one layer under a fixed spatial and temporal mapping.

As the ZigZag tutorial's lab1/main.py, with `zigzag_rs` imported instead of `zigzag`."""

from zigzag_rs.api import get_hardware_performance_zigzag
from zigzag_rs.utils import pickle_load

from _tutorial import output, reference

lab = reference("zigzag-tutorial/lab1/inputs")
workload = str(lab / "workload/resnet18_first_layer.onnx")
accelerator = str(lab / "hardware-v39/accelerator1.yaml")
mapping = str(lab / "mapping/mapping.yaml")  # a complete temporal_ordering: evaluated as given

dump_folder = output("lab1")
pickle_filename = f"{dump_folder}/cmes.pickle"
energy, latency, cmes = get_hardware_performance_zigzag(
    workload, accelerator, mapping, opt="latency", dump_folder=dump_folder, pickle_filename=pickle_filename
)
print(f"Total network energy = {energy:.2e} pJ")
print(f"Total network latency = {latency:.2e} cycles")

for cme in pickle_load(pickle_filename):
    print(f"{cme.layer.name}: energy {cme.energy_total:.4e} pJ (MAC {cme.mac_energy:.4e}, memory {cme.mem_energy:.4e})")
    print(f"  latency {cme.latency_total2:.0f} cycles = computation {cme.latency_total0:.0f}"
          f" + on-loading {cme.data_onloading_cycle:.0f} + off-loading {cme.data_offloading_cycle:.0f}")
    print(f"  spatial mapping {cme.layer.spatial_mapping}")
    print(f"  temporal mapping {cme.temporal_mapping}")
    for operand, levels in cme.mem_energy_breakdown.items():
        print(f"  {operand}: energy per memory level {[round(e, 1) for e in levels]}")
