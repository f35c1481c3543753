from questionnaires import create_app

app = create_app()
