def inn10(p9):
    d=[int(c) for c in p9]
    return p9+str(sum(a*b for a,b in zip(d,[2,4,10,3,5,9,4,6,8]))%11%10)
def inn12(p10):
    d=[int(c) for c in p10]
    c1=sum(a*b for a,b in zip(d,[7,2,4,10,3,5,9,4,6,8]))%11%10
    d.append(c1)
    c2=sum(a*b for a,b in zip(d,[3,7,2,4,10,3,5,9,4,6,8]))%11%10
    return p10+str(c1)+str(c2)
def ogrn(p12): return p12+str(int(p12)%11%10)
def ogrnip(p14): return p14+str(int(p14)%13%10)
def snils(p9):
    s=sum(int(c)*(9-i) for i,c in enumerate(p9))
    c = s if s<100 else (0 if s<=101 else (s%101 if s%101!=100 else 0))
    return f"{p9[0:3]}-{p9[3:6]}-{p9[6:9]} {c:02d}"
