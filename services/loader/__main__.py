from services.loader.app import main
from shopflow.runtime.service import run

run("loader", main)
