"""The `recommender` command: one thin package above both `recommender` and `training`.

Every command group lives here, one module each (`recommend`, `catalog`, `feedback`, `weights`,
`admin`, `serve`, `simulate`, `train`, `evaluate`, `models`, `interleaving`), so the
`recommender` package itself holds no command-line code and never imports `training` (an
import-linter contract checks it).
"""

__all__: list[str] = []
