"""Working in Jupyter: the %%sparql magic, the Ecosystem object, running the notebooks."""
