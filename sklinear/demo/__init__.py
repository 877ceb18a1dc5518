"""``python -m sklinear demo``: the lecture's interactive demo of linear classification.

A local web page (a Bokeh server) shows points of three classes in a plane, the
line and direction of each class's linear classifier, the scores and losses of
every point, and takes gradient steps on the click of a button. Every number on
the page is computed here, by :class:`DemoModel`, with the package's own losses
and update; the page only shows them. Bokeh is imported only when the server
starts: it is in the ``demo`` extra.
"""

import argparse
import ipaddress
import sys

from ._model import DemoModel

__all__ = ["DemoModel", "main"]

DEFAULT_PORT = 5006


def _port(text):
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(
            f"the port must be in [1, 65535]; got {port}")
    return port


def _host(text):
    # A wildcard address would serve every network the machine is on, and the
    # page could not know which name browsers will use to reach it (the
    # server accepts the page's connection only from the address it serves).
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        address = None
    if text == "" or (address is not None and address.is_unspecified):
        raise argparse.ArgumentTypeError(
            f"{text!r} would listen on every network; give the address or name "
            "the browsers will use (default 127.0.0.1, this machine only)")
    if address is not None and address.version == 6:
        # Bokeh's check of the page's origin reads "host:port" and cannot
        # parse an IPv6 address.
        raise argparse.ArgumentTypeError(
            f"IPv6 addresses are not supported; got {text!r}: use an IPv4 "
            "address or a host name, such as localhost")
    return text


def _parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m sklinear demo",
        description=(
            "Start the interactive demo of linear classification (multiclass "
            "SVM and softmax on points in a plane, one gradient step at a time) "
            "on a local web server and open it in the browser. Needs Bokeh, the "
            "demo extra. Ctrl-C stops it."
        ),
    )
    parser.add_argument("--port", type=_port, default=DEFAULT_PORT,
                        help=f"the port to serve on (default {DEFAULT_PORT})")
    parser.add_argument(
        "--host", type=_host, default="127.0.0.1",
        help="the address to serve on (default 127.0.0.1: this machine only); "
        "the page accepts connections only through this address",
    )
    parser.add_argument("--no-browser", action="store_true",
                        help="do not open the page in the default browser")
    return parser.parse_args(argv)


def main(argv=None):
    """Run the demo's server until Ctrl-C.

    Parameters
    ----------
    argv : list of str, default=None
        The command-line arguments after ``demo``; ``None`` reads
        ``sys.argv[1:]``.

    Returns
    -------
    status : int
        0 after a clean stop, 1 when Bokeh is not installed.
    """
    args = _parse_args(argv)
    try:
        import bokeh  # noqa: F401
    except ImportError:
        print('The demo needs Bokeh: pip install "sklinear[demo]" (from a clone: '
              'python -m pip install ".[demo]")', file=sys.stderr)
        return 1
    from ._app import serve

    return serve(args.host, args.port, open_browser=not args.no_browser)
