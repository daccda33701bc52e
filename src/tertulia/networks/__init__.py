"""Network connectors: the normalized item, the connector protocol and one folder per network.

Pure Python: nothing here imports Django (the Django side lives in the app's models and views).
"""
