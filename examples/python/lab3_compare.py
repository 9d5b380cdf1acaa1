"""Tutorial lab 3: compare three accelerator architectures on the same layer and plot the
energy and latency of each (matplotlib if installed, else a table only).

As the ZigZag tutorial's lab3/main.py, with `zigzag_rs` imported instead of `zigzag`."""

from zigzag_rs.api import get_hardware_performance_zigzag

from _tutorial import output, reference

lab = reference("zigzag-tutorial/lab3/inputs")
workload = str(lab / "workload/resnet18_first_layer.onnx")
results = {}
for name in ("accelerator1", "accelerator2", "accelerator3"):
    energy, latency, cmes = get_hardware_performance_zigzag(
        workload,
        str(lab / f"hardware-v39/{name}.yaml"),
        str(lab / f"mapping/{name}.yaml"),
        opt="latency",
        dump_folder=output(f"lab3/{name}"),
    )
    results[name] = (energy, latency, cmes[0][0])
    print(f"{name}: energy {energy:.4e} pJ, latency {latency:.0f} cycles, EDP {energy * latency:.3e}")

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    print("matplotlib not installed: no plot")
else:
    fig, (ax_e, ax_l) = plt.subplots(1, 2, figsize=(9, 3.5))
    names = list(results)
    ax_e.bar(names, [results[n][2].mac_energy for n in names], label="MAC")
    ax_e.bar(names, [results[n][2].mem_energy for n in names], bottom=[results[n][2].mac_energy for n in names], label="memory")
    ax_e.set_ylabel("energy [pJ]")
    ax_e.legend()
    ax_l.bar(names, [results[n][1] for n in names])
    ax_l.set_ylabel("latency [cycles]")
    fig.tight_layout()
    path = output("lab3/comparison.png")
    fig.savefig(path)
    print(f"wrote {path}")
