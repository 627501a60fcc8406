from services.transformer.app import main
from shopflow.runtime.service import run

run("transformer", main)
