from services.ingestor.app import main
from shopflow.runtime.service import run

run("ingestor", main)
