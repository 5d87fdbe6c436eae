# SPDX-License-Identifier: Apache-2.0
"""The oracle of UpstreamCompatibilityIT: upstream diskimage-builder's own expansion.

Usage: python3 upstream-expand.py ELEMENTS_PATH REQUESTS
REQUESTS has one request per line: element names separated by spaces. Prints one line per
request: "ok NAME..." (the expanded names, sorted) or "error EXCEPTION-CLASS MESSAGE".

It calls the two functions that upstream's element-info main() calls
(_find_all_elements, then _expand_element_dependencies); the scan is done once for all
requests, which is what get_elements() would redo for each.
"""
import logging
import sys

from diskimage_builder import element_dependencies as ed

logging.disable(logging.CRITICAL)  # upstream logs conflicts before raising; keep stdout clean

path, requests_file = sys.argv[1], sys.argv[2]
with open(requests_file) as f:
    requests = [line.split() for line in f if line.strip()]
all_elements = ed._find_all_elements(path)
for req in requests:
    try:
        got = ed._expand_element_dependencies(req, all_elements)
        print("ok " + " ".join(sorted(e.name for e in got)))
    except Exception as e:  # the oracle reports every failure
        print("error %s %s" % (type(e).__name__, " ".join(str(e).split())))
