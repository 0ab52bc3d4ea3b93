"""What the program makes in Infisical: a stage's environment, folders, syncs and CI identities (the stage stack),
and the project, the preview environment and team access (the project stack). The resources themselves are the
dynamic providers of :mod:`components.infisical`."""
