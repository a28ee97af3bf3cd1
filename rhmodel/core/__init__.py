"""The pure core: values in, values out.

No file, process, clock, git, network, plotting or notebook library is used here (an
import-linter contract in the test suite keeps it so). What the core needs from outside (the
capability matrix, the price book, today's date, the pilot's sessions) is passed in.
"""
