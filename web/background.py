"""Work that must not run inside a request, started from one: a thread of the web process
with its own database sessions. What it does is recorded by the domain (a run that dies with
its process shows as interrupted), so nothing depends on the thread surviving."""

from __future__ import annotations

import threading

from flask import Flask

from workflow import verification


def verify(app: Flask, run_id: int) -> None:
    """Carry out a started verification of the trail."""

    def work() -> None:
        with app.app_context():
            engine = app.extensions["sqlalchemy"].engine
            try:
                verification.run(engine, run_id)
            except Exception:
                app.logger.exception("verification %s stopped on an error", run_id)

    threading.Thread(target=work, name=f"verify-{run_id}", daemon=True).start()
