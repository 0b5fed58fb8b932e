"""Run the copytrace command line as a script, for `spark-submit .../copytrace/spark/__main__.py`."""

from copytrace.cli import main

if __name__ == "__main__":
    main()
