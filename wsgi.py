from passfamille import create_app

app = create_app()
