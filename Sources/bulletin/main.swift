import BulletinTemplates
print(DefaultTemplatesProbe.all)
