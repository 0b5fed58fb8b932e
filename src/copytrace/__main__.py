"""Run the command line as `python -m copytrace`."""

from copytrace.cli import main

if __name__ == "__main__":
    main()
