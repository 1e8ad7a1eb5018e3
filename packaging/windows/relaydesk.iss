; Inno Setup 6 script: a per-machine installer for the PyInstaller folder dist\relaydesk.
; Built by packaging\windows\build.cmd on Windows (Inno Setup runs only there); the version
; comes from the command line: iscc /DAppVersion=0.1.0 packaging\windows\relaydesk.iss
; Silent install: Relaydesk-VERSION-setup.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART

#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=X.Y.Z relaydesk.iss
#endif

[Setup]
AppId={{6C1B8E52-3F0A-4B7E-9D7C-2E5A1F9B4C21}
AppName=Relaydesk
AppVersion={#AppVersion}
AppPublisher=Relaydesk
DefaultDirName={autopf}\Relaydesk
DefaultGroupName=Relaydesk
DisableProgramGroupPage=yes
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=Relaydesk-{#AppVersion}-setup
SetupIconFile=..\..\build\icons\relaydesk.ico
UninstallDisplayIcon={app}\relaydesk.exe
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes

[Files]
Source: "..\..\dist\relaydesk\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Dirs]
; Where IT puts policy.toml (read by every user of the machine, written by administrators).
Name: "{commonappdata}\Relaydesk"

[Icons]
Name: "{group}\Relaydesk"; Filename: "{app}\relaydesk.exe"
Name: "{autodesktop}\Relaydesk"; Filename: "{app}\relaydesk.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Run]
Filename: "{app}\relaydesk.exe"; Description: "{cm:LaunchProgram,Relaydesk}"; Flags: nowait postinstall skipifsilent
