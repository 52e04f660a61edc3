"""L0 -> L1: capture a model as a core-ATen graph and import it into `litho_tensor`.

| module | what it does |
| --- | --- |
| `capture` | `torch.export` with litho's decompositions; the `CapturedProgram` |
| `decompositions` | the decomposition table capture uses |
| `importer` | the importer registry, `ImportContext`, `import_graph` |
| `support` | which nodes litho can compile, and why not |
| `aten/` | the ATen importers, one module per op family |
"""
