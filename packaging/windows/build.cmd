@echo off
rem Build the Windows installer: icon, PyInstaller folder, Inno Setup script.
rem Run from anywhere on Windows with .venv set up (pip install -e .[build]) and Inno Setup 6.
setlocal
cd /d "%~dp0\..\.."
set PY=.venv\Scripts\python.exe
if not exist %PY% (echo Create .venv first: py -3.11 -m venv .venv ^&^& .venv\Scripts\pip install -e .[build] & exit /b 1)
%PY% packaging\build.py --icons || exit /b 1
%PY% -m PyInstaller --noconfirm --clean --distpath dist --workpath build\pyinstaller packaging\relaydesk.spec || exit /b 1
dist\relaydesk\relaydesk-cli.exe --version || exit /b 1
for /f %%v in ('%PY% -c "import app; print(app.__version__)"') do set VERSION=%%v
set ISCC=%ProgramFiles(x86)%\Inno Setup 6\ISCC.exe
if not exist "%ISCC%" (echo Inno Setup 6 is not installed: https://jrsoftware.org/isinfo.php & exit /b 1)
"%ISCC%" /DAppVersion=%VERSION% packaging\windows\relaydesk.iss || exit /b 1
echo Built dist\Relaydesk-%VERSION%-setup.exe
