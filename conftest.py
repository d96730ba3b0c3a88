"""Settings every test in the repository shares."""

import signal

# A shell that starts the suite in the background hands it SIGINT ignored,
# and an ignored signal stays ignored in every child: tests that press Ctrl-C
# on a child would wait forever. A handler (unlike "ignore") resets to the
# default in children, so install one.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)
