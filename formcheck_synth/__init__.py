"""formcheck's test generator: scripted motion with ground truth (`catalog`, `scripts` and the movement
modules), tracks from it with realistic pose-model noise (`kit`), the anny avatar renderer (`avatar`,
needs torch + anny from the [synth] extra) and the sample clips (`samples`).

A development-only package beside the runtime one: tests, benchmarks and `make samples` use it;
formcheck's wheel does not contain it and nothing in `formcheck` imports it.
"""
