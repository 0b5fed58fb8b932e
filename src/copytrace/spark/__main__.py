"""Run the copytrace command line as a script: the file to give to `spark-submit`."""

from copytrace.cli import main

if __name__ == "__main__":
    main()
