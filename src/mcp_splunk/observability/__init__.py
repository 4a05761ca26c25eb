"""What the gateway tells its operators about itself: Prometheus metrics and OpenTelemetry traces.

A leaf package: it knows prometheus-client and the OpenTelemetry API, nothing of Splunk, tools or HTTP. The layers
above call into it (``middleware/metrics.py``, ``http/metrics.py``, ``splunk/transport.py``).
"""
