"""The `recommender` command: the thin layer above both `recommender` and `training`.

The shopper and merchandising commands live in `recommender.cli`; the commands that train,
evaluate, simulate or promote models import `training` and so live here, which keeps the
`recommender` package free of any `training` import (an import-linter contract checks it).
"""

__all__: list[str] = []
