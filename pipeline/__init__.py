"""The pipeline's stages: read → normalize → segment → extract → resolve → load."""
